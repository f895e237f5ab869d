package dev.sluice.server.iceberg;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.sluice.api.InvalidInputException;
import org.apache.iceberg.rest.RESTRequest;
import org.apache.iceberg.rest.RESTSerializers;

/**
 * JSON as the Iceberg REST catalog speaks it: Iceberg's own serializers ({@link RESTSerializers})
 * on a mapper configured as Iceberg's client configures its own (kebab-case names, unknown
 * properties ignored), so that what the server writes is what {@code RESTCatalog} reads.
 */
final class IcebergJson {
  private static final ObjectMapper MAPPER = mapper();

  private IcebergJson() {}

  private static ObjectMapper mapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    mapper.setPropertyNamingStrategy(new PropertyNamingStrategies.KebabCaseStrategy());
    RESTSerializers.registerAll(mapper);
    return mapper;
  }

  /** A response body. */
  static String write(Object response) {
    try {
      return MAPPER.writeValueAsString(response);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write an Iceberg REST response: " + e, e);
    }
  }

  /**
   * A request body, validated.
   *
   * @throws InvalidInputException when it is not JSON of that request, with the line and column
   */
  static <T extends RESTRequest> T read(String body, Class<T> type) {
    T request;
    try {
      request = MAPPER.readValue(body, type);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(
          "The body is not a valid "
              + type.getSimpleName()
              + " of the Iceberg REST API"
              + (e.getLocation() == null
                  ? ""
                  : " (line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()
                      + ")")
              + ": "
              + e.getOriginalMessage());
    }
    if (request == null) {
      throw new InvalidInputException(
          "The body is empty: send a " + type.getSimpleName() + " of the Iceberg REST API");
    }
    request.validate();
    return request;
  }
}
