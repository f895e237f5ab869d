package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.ProjectException;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.oidc:} of sluice.yaml, and each mistake with file and line. */
class OidcConfigTest {
  @TempDir Path root;

  @Test
  void aProviderWithItsSecretByReference() {
    TestProjects.write(root, "oidc.secret", "very-secret\n");
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nserver:\n  oidc:\n    issuer: https://login.example.com/realms/main\n"
            + "    client_id: sluice\n    client_secret: ${file:oidc.secret}\n"
            + "    principal_claim: email\n    scopes: [email, groups]\n");
    OidcSettings oidc = Project.load(root).config().server().oidc();
    assertThat(oidc.issuer()).isEqualTo(URI.create("https://login.example.com/realms/main"));
    assertThat(oidc.clientId()).isEqualTo("sluice");
    assertThat(oidc.clientSecret()).isEqualTo("very-secret");
    assertThat(oidc.principalClaim()).isEqualTo("email");
    assertThat(oidc.scopes()).containsExactly("openid", "email", "groups");
    assertThat(oidc.redirectUri()).isNull();
    assertThat(oidc.toString()).doesNotContain("very-secret");
    assertThat(Project.load(root).config().server().toString()).doesNotContain("very-secret");
  }

  @Test
  void aPublicClientOnLocalhostWithTheDefaults() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nserver:\n  oidc: {issuer: \"http://localhost:8080/default\", client_id: sluice}\n");
    OidcSettings oidc = Project.load(root).config().server().oidc();
    assertThat(oidc.clientSecret()).isNull();
    assertThat(oidc.principalClaim()).isEqualTo("preferred_username");
    assertThat(oidc.scopes()).containsExactly("openid", "profile", "email");
  }

  @Test
  void eachMistakeIsAProjectErrorAtItsLine() {
    TestProjects.write(
        root,
        "sluice.yaml",
        "name: shop\nserver:\n  oidc:\n    issuer: http://login.example.com\n"
            + "    client_secret: plain-text-secret\n"
            + "    redirect_uri: https://sluice.example.com/elsewhere\n"
            + "    scope: [email]\n");
    assertThatThrownBy(() -> Project.load(root))
        .isInstanceOf(ProjectException.class)
        .hasMessageContaining("sluice.yaml:4")
        .hasMessageContaining("server.oidc.issuer must use https")
        .hasMessageContaining("client_id")
        .hasMessageContaining("sluice.yaml:5")
        .hasMessageContaining("server.oidc.client_secret holds a literal value")
        .hasMessageContaining("sluice.yaml:6")
        .hasMessageContaining("must end in /auth/oidc/callback")
        .hasMessageContaining("scope")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("plain-text-secret"));
  }
}
