package dev.sluice.core.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.api.Location;
import dev.sluice.api.ProjectException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class ColumnTypesTest {
  private static final Location AT = new Location("sources/shop.yaml", 7);

  private static Type parse(String text) {
    return ColumnTypes.parse(text, AT);
  }

  @Test
  void parsesPrimitives() {
    assertThat(parse("BIGINT")).isEqualTo(Types.LongType.get());
    assertThat(parse("int")).isEqualTo(Types.IntegerType.get());
    assertThat(parse("smallint")).isEqualTo(Types.IntegerType.get());
    assertThat(parse("real")).isEqualTo(Types.FloatType.get());
    assertThat(parse("text")).isEqualTo(Types.StringType.get());
    assertThat(parse("timestamptz")).isEqualTo(Types.TimestampType.withZone());
    assertThat(parse("timestamp")).isEqualTo(Types.TimestampType.withoutZone());
    assertThat(parse("blob")).isEqualTo(Types.BinaryType.get());
    assertThat(parse("uuid")).isEqualTo(Types.UUIDType.get());
    assertThat(parse(" decimal( 10 , 2 ) ")).isEqualTo(Types.DecimalType.of(10, 2));
  }

  @Test
  void parsesNestedTypes() {
    assertThat(parse("list<varchar>").asListType().elementType()).isEqualTo(Types.StringType.get());
    assertThat(parse("int[][]").asListType().elementType().asListType().elementType())
        .isEqualTo(Types.IntegerType.get());
    Types.MapType map = parse("map<varchar, list<double>>").asMapType();
    assertThat(map.keyType()).isEqualTo(Types.StringType.get());
    assertThat(map.valueType().asListType().elementType()).isEqualTo(Types.DoubleType.get());
    Types.StructType struct =
        parse("struct<id bigint, tags varchar[], at: timestamptz>").asStructType();
    assertThat(struct.fields())
        .extracting(Types.NestedField::name)
        .containsExactly("id", "tags", "at");
    assertThat(struct.field("tags").type().isListType()).isTrue();
  }

  @Test
  void unknownTypeSuggestsOne() {
    assertThatThrownBy(() -> parse("strng"))
        .isInstanceOfSatisfying(
            ProjectException.class,
            e -> {
              assertThat(e.problems().get(0).location()).isEqualTo(AT);
              assertThat(e.problems().get(0).message()).isEqualTo("Unknown column type 'strng'");
              assertThat(e.problems().get(0).hint()).isEqualTo("did you mean 'string'?");
            });
  }

  @Test
  void malformedTypesAreErrors() {
    assertThatThrownBy(() -> parse("decimal")).hasMessageContaining("decimal(10,2)");
    assertThatThrownBy(() -> parse("decimal(40,2)")).hasMessageContaining("1 to 38");
    assertThatThrownBy(() -> parse("map<int>")).hasMessageContaining("expected ','");
    assertThatThrownBy(() -> parse("struct<a int, a int>")).hasMessageContaining("twice");
    assertThatThrownBy(() -> parse("int extra")).hasMessageContaining("unexpected");
    assertThatThrownBy(() -> parse("")).hasMessageContaining("empty");
  }

  @Test
  void displayShowsNestedTypesWithoutFieldIds() {
    Type type = parse("struct<id bigint, tags list<varchar>, attrs map<varchar, double>>");

    assertThat(type.toString()).contains("1: id");
    assertThat(ColumnTypes.display(type))
        .isEqualTo("struct<id: long, tags: list<string>, attrs: map<string, double>>");
    assertThat(ColumnTypes.display(parse("decimal(10,2)"))).isEqualTo("decimal(10, 2)");
  }
}
