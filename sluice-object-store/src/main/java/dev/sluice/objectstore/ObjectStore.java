package dev.sluice.objectstore;

import static java.util.Objects.requireNonNull;

import dev.sluice.api.InvalidInputException;
import dev.sluice.api.SluiceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A client of S3-compatible storage with the settings it was opened with, and the one place that
 * turns the storage's failures into messages that name the endpoint, the bucket and how to fix
 * them, never a credential.
 *
 * <p>Checksums are computed and validated only where S3 requires them, which every S3-compatible
 * server understands (newer SDK defaults send trailing checksums that some servers reject).
 */
public final class ObjectStore implements AutoCloseable {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SOCKET_TIMEOUT = Duration.ofMinutes(2);

  private final S3Settings settings;
  private final String settingsOrigin;
  private final S3Client client;

  private ObjectStore(S3Settings settings, String settingsOrigin, S3Client client) {
    this.settings = settings;
    this.settingsOrigin = settingsOrigin;
    this.client = client;
  }

  /**
   * Opens a client; nothing is contacted yet.
   *
   * @param settingsOrigin where the settings are written, for messages, e.g. {@code the 's3:' block
   *     of sluice.yaml}
   * @throws InvalidInputException for an endpoint that is not a URL
   */
  public static ObjectStore open(S3Settings settings, String settingsOrigin) {
    requireNonNull(settings, "settings is null");
    requireNonNull(settingsOrigin, "settingsOrigin is null");
    var builder =
        S3Client.builder()
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(CONNECT_TIMEOUT)
                    .socketTimeout(SOCKET_TIMEOUT))
            .region(Region.of(settings.effectiveRegion()))
            .forcePathStyle(settings.pathStyleAccess())
            .credentialsProvider(credentials(settings))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (settings.endpoint() != null) {
      URI endpoint;
      try {
        endpoint = URI.create(settings.endpoint().strip());
      } catch (IllegalArgumentException e) {
        endpoint = null;
      }
      if (endpoint == null || endpoint.getScheme() == null || endpoint.getHost() == null) {
        throw new InvalidInputException(
            "The S3 endpoint '"
                + settings.endpoint()
                + "' in "
                + settingsOrigin
                + " is not a URL; write e.g. endpoint: http://localhost:9000");
      }
      builder.endpointOverride(endpoint);
    }
    return new ObjectStore(settings, settingsOrigin, builder.build());
  }

  private static AwsCredentialsProvider credentials(S3Settings settings) {
    if (settings.accessKeyId() == null) {
      return DefaultCredentialsProvider.builder().build();
    }
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
  }

  public S3Settings settings() {
    return settings;
  }

  /** The SDK client, for Iceberg's S3FileIO; closed with this store. */
  public S3Client client() {
    return client;
  }

  /**
   * Checks that the bucket exists and the credentials may use it.
   *
   * @param purpose what the bucket is for, for messages, e.g. {@code the warehouse}
   * @throws SluiceException naming the endpoint and bucket when it cannot be used
   */
  public void checkBucket(String bucket, String purpose) {
    try {
      client.headBucket(HeadBucketRequest.builder().bucket(bucket).build());
    } catch (SdkException e) {
      throw failure("open " + purpose, new S3Location(bucket, ""), e);
    }
  }

  /**
   * The objects whose keys start with the location's key, in key order.
   *
   * @throws SluiceException naming the endpoint and bucket when the listing fails
   */
  public List<StoredObject> list(S3Location prefix) {
    List<StoredObject> objects = new ArrayList<>();
    try {
      ListObjectsV2Request request =
          ListObjectsV2Request.builder().bucket(prefix.bucket()).prefix(prefix.key()).build();
      for (S3Object object : client.listObjectsV2Paginator(request).contents()) {
        objects.add(
            new StoredObject(
                new S3Location(prefix.bucket(), object.key()),
                object.eTag() == null ? "" : object.eTag(),
                object.lastModified(),
                object.size() == null ? 0 : object.size()));
      }
    } catch (SdkException e) {
      throw failure("list", prefix, e);
    }
    return objects;
  }

  /**
   * Downloads an object to {@code target}, atomically: the file appears whole or not at all.
   *
   * @throws SluiceException naming the endpoint and object when the download fails
   */
  public void download(S3Location location, Path target) {
    Path temporary = null;
    try {
      Files.createDirectories(target.getParent());
      temporary = Files.createTempFile(target.getParent(), ".download-", ".tmp");
      try (InputStream in =
          client.getObject(
              GetObjectRequest.builder().bucket(location.bucket()).key(location.key()).build())) {
        Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (SdkException e) {
      throw failure("read", location, e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot download " + location + " to " + target, e);
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException e) {
          // a stray temporary file is harmless
        }
      }
    }
  }

  /**
   * Turns a failure of the storage into an exception whose message says what failed where and how
   * to fix it; it names the endpoint and bucket and never a credential. The exception is a {@link
   * StorageFailure}, so that it is not explained again.
   *
   * @param action what was being done, e.g. {@code list} or {@code write}
   */
  public SluiceException failure(String action, S3Location location, Throwable e) {
    String where = "bucket '" + location.bucket() + "' at " + settings.describeEndpoint();
    AwsServiceException service = find(e, AwsServiceException.class);
    if (service != null) {
      int status = service.statusCode();
      String code =
          service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
      String reason = "HTTP " + status + (code == null ? "" : " " + code);
      if ("NoSuchBucket".equals(code) || (status == 404 && location.key().isEmpty())) {
        return new StorageFailure.InvalidInput(
            "Cannot "
                + action
                + " "
                + location
                + ": "
                + where
                + " does not exist ("
                + reason
                + "). Create the bucket, or fix the bucket name or the endpoint in "
                + settingsOrigin,
            e);
      }
      if (status == 401 || status == 403) {
        return new StorageFailure.InvalidInput(
            "Cannot "
                + action
                + " "
                + location
                + ": access to "
                + where
                + " was denied ("
                + reason
                + "). Check access_key_id and secret_access_key in "
                + settingsOrigin
                + " (the references they name) and the bucket's permissions",
            e);
      }
      if (status >= 500 || status == 429) {
        return new StorageFailure.Transient(
            "Cannot " + action + " " + location + ": " + where + " failed (" + reason + ")", e);
      }
      return new StorageFailure.Other(
          "Cannot " + action + " " + location + ": " + where + " answered " + reason, e);
    }
    if (find(e, SdkClientException.class) != null || e instanceof IOException) {
      return new StorageFailure.Transient(
          "Cannot "
              + action
              + " "
              + location
              + ": the S3 endpoint "
              + settings.describeEndpoint()
              + " cannot be reached ("
              + rootMessage(e)
              + "). Check the endpoint in "
              + settingsOrigin
              + " and that the service is running",
          e);
    }
    return new StorageFailure.Other(
        "Cannot "
            + action
            + " "
            + location
            + " at "
            + settings.describeEndpoint()
            + ": "
            + rootMessage(e),
        e);
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  @Override
  public void close() {
    client.close();
  }
}
