package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretsTest {
  private static final String PASSWORD = "s3cr3t p@ss/word+1";

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void masksTheSecretAsIs() {
    assertThat(Secrets.of(PASSWORD).redact("login failed for " + PASSWORD + "."))
        .isEqualTo("login failed for ****.");
  }

  @Test
  void masksTheSecretUrlEncoded() {
    String formEncoded = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
    String percentEncoded = formEncoded.replace("+", "%20");
    Secrets secrets = Secrets.of(PASSWORD);

    assertThat(secrets.redact("GET /v1?key=" + formEncoded + "&page=2"))
        .isEqualTo("GET /v1?key=****&page=2");
    assertThat(secrets.redact("GET /v1?key=" + percentEncoded)).isEqualTo("GET /v1?key=****");
    assertThat(secrets.redact("GET /v1?key=" + percentEncoded.toLowerCase()))
        .doesNotContain("s3cr3t");
  }

  @Test
  void masksBasicAuthorizationOfUserAndPasswordWithoutKnowingTheUser() {
    String header = "Authorization: Basic " + base64("alice:" + PASSWORD);
    String echoed = "{\"headers\": {\"X-Echo\": \"" + base64("alice:" + PASSWORD) + "\"}}";

    assertThat(Secrets.of(PASSWORD).redact(header)).isEqualTo("Authorization: Basic ****");
    assertThat(Secrets.of(PASSWORD).redact(echoed))
        .isEqualTo("{\"headers\": {\"X-Echo\": \"****\"}}");
    for (String user : new String[] {"a", "ab", "abc", "abcd"}) {
      String encoded = base64(user + ":" + PASSWORD);
      assertThat(Secrets.of(PASSWORD).redact("echo " + encoded + " end"))
          .as(user)
          .isEqualTo("echo **** end");
      String urlSafe =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString((user + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
      assertThat(Secrets.of(PASSWORD).redact("echo " + urlSafe)).isEqualTo("echo ****");
    }
  }

  @Test
  void masksTheSecretBase64AndJsonEscaped() {
    Secrets secrets = Secrets.of("short\"1");
    assertThat(secrets.redact("token " + base64("short\"1"))).isEqualTo("token ****");
    assertThat(secrets.redact("{\"password\":\"short\\\"1\"}"))
        .isEqualTo("{\"password\":\"****\"}");
  }

  @Test
  void masksRecognisableCredentialsWithoutKnownSecrets() {
    assertThat(Secrets.none().redact("Authorization: Bearer abc.def.ghi"))
        .isEqualTo("Authorization: Bearer ****");
    assertThat(Secrets.redactCredentials("jdbc:postgresql://admin:pa55@db:5432/x?sslpassword=k3y"))
        .isEqualTo("jdbc:postgresql://admin:****@db:5432/x?sslpassword=****");
    assertThat(Secrets.redactCredentials("https://api.example/v1?page=2&api_key=abc%2Fdef&x=1"))
        .isEqualTo("https://api.example/v1?page=2&api_key=****&x=1");
    assertThat(Secrets.redactCredentials("{\"client_secret\": \"xyz\", \"name\": \"n\"}"))
        .isEqualTo("{\"client_secret\": \"****\", \"name\": \"n\"}");
    assertThat(Secrets.redactCredentials("jdbc:sqlite:state.db;password=p;cache=shared"))
        .isEqualTo("jdbc:sqlite:state.db;password=****;cache=shared");
  }

  @Test
  void keepsWhatFollowsAMaskedParameter() {
    assertThat(Secrets.of("wrong-pw").redact("db?password=wrong-pw: FATAL"))
        .isEqualTo("db?password=****: FATAL");
  }

  @Test
  void leavesOrdinaryTextAlone() {
    String text =
        "Cannot read https://api.example/v1/orders: the server answered HTTP 404; check 'url'";
    assertThat(Secrets.of(PASSWORD, null, "").redact(text)).isEqualTo(text);
    assertThat(Secrets.none().redact(null)).isEmpty();
    assertThat(Secrets.none().isEmpty()).isTrue();
  }

  @Test
  void findsTheSecretsOfAUrl() {
    assertThat(Secrets.inUrl("jdbc:postgresql://admin:pa55@db/x?password=k3y&ssl=true"))
        .containsExactlyInAnyOrder("pa55", "k3y");
    assertThat(Secrets.of(Secrets.inUrl("jdbc:postgresql://db/x?password=k3y")).redact("bad k3y"))
        .isEqualTo("bad ****");
  }

  @Test
  void combinesSecrets() {
    Secrets both = Secrets.of("first-secret").and(Secrets.of("second-secret"));
    assertThat(both.redact("first-secret and second-secret")).isEqualTo("**** and ****");
  }
}
