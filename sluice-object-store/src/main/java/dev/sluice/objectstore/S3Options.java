package dev.sluice.objectstore;

import dev.sluice.api.connector.ConnectorOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of an {@code s3:} block, declared once: sluice.yaml's (the warehouse's storage, and
 * the default of file sources) and a file source's read them with these keys, and the file
 * connector declares them as its options.
 */
public final class S3Options {
  public static final String BLOCK = "s3";
  public static final String ENDPOINT = "endpoint";
  public static final String REGION = "region";
  public static final String PATH_STYLE_ACCESS = "path_style_access";
  public static final String ACCESS_KEY_ID = "access_key_id";
  public static final String SECRET_ACCESS_KEY = "secret_access_key";

  /** The keys, in the order the docs list them. */
  public static final List<String> KEYS =
      List.of(ENDPOINT, REGION, PATH_STYLE_ACCESS, ACCESS_KEY_ID, SECRET_ACCESS_KEY);

  /** The keys whose values are secrets, given only by reference. */
  public static final Set<String> SECRETS = Set.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY);

  /** The hint of {@link #credentialsProblem}: how to fix it. */
  public static final String CREDENTIALS_HINT =
      "give both, or neither to use the default AWS credentials (AWS_ACCESS_KEY_ID, a profile, an"
          + " instance role)";

  private S3Options() {}

  /** The settings as options in a source's {@code s3:} block, for a connector that reads S3. */
  public static List<ConnectorOption> options() {
    String where = "S3 (in 's3:' of the source, or of sluice.yaml): ";
    return List.of(
        ConnectorOption.builder(ENDPOINT, ConnectorOption.Type.STRING)
            .description(
                where
                    + "the URL of S3-compatible storage for s3:// paths, e.g."
                    + " http://minio:9000; default: AWS S3")
            .inSourceBlock(BLOCK)
            .build(),
        ConnectorOption.builder(REGION, ConnectorOption.Type.STRING)
            .description(where + "the region requests are signed for; default: us-east-1")
            .inSourceBlock(BLOCK)
            .build(),
        ConnectorOption.builder(PATH_STYLE_ACCESS, ConnectorOption.Type.BOOLEAN)
            .description(
                where
                    + "address buckets as endpoint/bucket (MinIO, Ceph, s3proxy) instead of"
                    + " bucket.endpoint")
            .defaultValue("false")
            .inSourceBlock(BLOCK)
            .build(),
        ConnectorOption.builder(ACCESS_KEY_ID, ConnectorOption.Type.STRING)
            .description(
                where
                    + "the access key id, by reference (${env:NAME} or ${file:path}); without it"
                    + " and secret_access_key, the AWS SDK's default credentials")
            .secret()
            .inSourceBlock(BLOCK)
            .build(),
        ConnectorOption.builder(SECRET_ACCESS_KEY, ConnectorOption.Type.STRING)
            .description(
                where + "the secret access key, by reference (${env:NAME} or ${file:path})")
            .secret()
            .inSourceBlock(BLOCK)
            .build());
  }

  /**
   * What is wrong with the credentials of a block: one given without the other.
   *
   * @param what the block, for the message, e.g. {@code 's3:' of sluice.yaml}
   */
  public static Optional<String> credentialsProblem(Set<String> keys, String what) {
    if (keys.contains(ACCESS_KEY_ID) != keys.contains(SECRET_ACCESS_KEY)) {
      return Optional.of(what + " gives only one of access_key_id and secret_access_key");
    }
    return Optional.empty();
  }

  /** Settings from resolved values keyed as in an {@code s3:} block; other keys are ignored. */
  public static S3Settings settings(Map<String, String> resolved) {
    String accessKeyId = resolved.get(ACCESS_KEY_ID);
    String secretAccessKey = resolved.get(SECRET_ACCESS_KEY);
    if (accessKeyId == null || secretAccessKey == null) {
      accessKeyId = null;
      secretAccessKey = null;
    }
    return new S3Settings(
        resolved.get(ENDPOINT),
        resolved.get(REGION),
        Boolean.parseBoolean(resolved.getOrDefault(PATH_STYLE_ACCESS, "false")),
        accessKeyId,
        secretAccessKey);
  }
}
