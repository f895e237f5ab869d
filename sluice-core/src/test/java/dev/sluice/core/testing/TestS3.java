package dev.sluice.core.testing;

import dev.sluice.objectstore.ObjectStore;
import dev.sluice.objectstore.S3Settings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * A real S3-compatible server in this JVM: s3proxy over jclouds' in-memory ({@code transient})
 * store, on a free port, checking AWS v4 signatures against one key pair.
 */
public final class TestS3 implements AutoCloseable {
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final String accessKeyId;
  private final String secretAccessKey;
  private final ObjectStore client;

  private TestS3(
      S3Proxy proxy, BlobStoreContext context, String accessKeyId, String secretAccessKey) {
    this.proxy = proxy;
    this.context = context;
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.client = ObjectStore.open(settings(), "the test");
  }

  /** Starts a server that accepts only this key pair. */
  public static TestS3 start(String accessKeyId, String secretAccessKey) throws Exception {
    BlobStoreContext context =
        ContextBuilder.newBuilder("transient")
            .credentials(accessKeyId, secretAccessKey)
            .overrides(new Properties())
            .build(BlobStoreContext.class);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKeyId, secretAccessKey)
            .build();
    proxy.start();
    if (!"STARTED".equals(proxy.getState())) {
      context.close();
      throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
    }
    return new TestS3(proxy, context, accessKeyId, secretAccessKey);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  public S3Settings settings() {
    return new S3Settings(endpoint(), REGION, true, accessKeyId, secretAccessKey);
  }

  /** A client with the server's key pair, for setting up and inspecting buckets. */
  public ObjectStore client() {
    return client;
  }

  public void createBucket(String bucket) {
    client.client().createBucket(CreateBucketRequest.builder().bucket(bucket).build());
  }

  public void put(String bucket, String key, String content) {
    client
        .client()
        .putObject(
            PutObjectRequest.builder().bucket(bucket).key(key).build(),
            RequestBody.fromString(content, StandardCharsets.UTF_8));
  }

  public void delete(String bucket, String key) {
    client.client().deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(key).build());
  }

  @Override
  public void close() throws Exception {
    try {
      client.close();
      proxy.stop();
    } finally {
      context.close();
    }
  }
}
