package dev.sluice.core.project;

import java.util.List;

/**
 * dbt's own macros that projects call: naming ({@link DbtNames#BUILT_IN}) and dbt-core's
 * cross-database macros ({@code dbt.date_trunc}, {@code dateadd}, {@code type_string}, ...), each
 * dispatched as dbt-core dispatches it ({@code adapter.dispatch('x', 'dbt')}, so that a project or
 * package may override it through the {@code dispatch} config), with the SQL dbt-duckdb renders.
 */
final class DbtBuiltInMacros {
  /** dbt-core's cross-database macros, as dbt-duckdb renders them, and should_store_failures(). */
  static final DbtMacros.MacroFile CROSS_DATABASE =
      new DbtMacros.MacroFile(
          "dbt's cross-database macros",
          """
          {% macro date_trunc(datepart, date) -%}
            {{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}
          {%- endmacro %}
          {% macro default__date_trunc(datepart, date) -%}
            date_trunc('{{ datepart }}', {{ date }})
          {%- endmacro %}
          {% macro dateadd(datepart, interval, from_date_or_timestamp) -%}
            {{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}
          {%- endmacro %}
          {% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
            date_add({{ from_date_or_timestamp }}, interval ({{ interval }}) {{ datepart }})
          {%- endmacro %}
          {% macro datediff(first_date, second_date, datepart) -%}
            {{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}
          {%- endmacro %}
          {% macro duckdb__datediff(first_date, second_date, datepart) -%}
            date_diff('{{ datepart }}', {{ first_date }}::timestamp, {{ second_date }}::timestamp)
          {%- endmacro %}
          {% macro last_day(date, datepart) -%}
            {{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}
          {%- endmacro %}
          {% macro default__last_day(date, datepart) -%}
            cast({{ dbt.dateadd('day', '-1', dbt.dateadd(datepart, '1', dbt.date_trunc(datepart, date))) }} as date)
          {%- endmacro %}
          {% macro safe_cast(field, type) -%}
            {{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}
          {%- endmacro %}
          {% macro duckdb__safe_cast(field, type) -%}
            try_cast({{ field }} as {{ type }})
          {%- endmacro %}
          {% macro cast(field, type) -%}
            {{ return(adapter.dispatch('cast', 'dbt')(field, type)) }}
          {%- endmacro %}
          {% macro default__cast(field, type) -%}
            cast({{ field }} as {{ type }})
          {%- endmacro %}
          {% macro concat(fields) -%}
            {{ return(adapter.dispatch('concat', 'dbt')(fields)) }}
          {%- endmacro %}
          {% macro default__concat(fields) -%}
            {{ fields | join(' || ') }}
          {%- endmacro %}
          {% macro hash(field) -%}
            {{ return(adapter.dispatch('hash', 'dbt')(field)) }}
          {%- endmacro %}
          {% macro default__hash(field) -%}
            md5(cast({{ field }} as {{ dbt.type_string() }}))
          {%- endmacro %}
          {% macro length(expression) -%}
            {{ return(adapter.dispatch('length', 'dbt')(expression)) }}
          {%- endmacro %}
          {% macro default__length(expression) -%}
            length({{ expression }})
          {%- endmacro %}
          {% macro position(substring_text, string_text) -%}
            {{ return(adapter.dispatch('position', 'dbt')(substring_text, string_text)) }}
          {%- endmacro %}
          {% macro default__position(substring_text, string_text) -%}
            position({{ substring_text }} in {{ string_text }})
          {%- endmacro %}
          {% macro replace(field, old_chars, new_chars) -%}
            {{ return(adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars)) }}
          {%- endmacro %}
          {% macro default__replace(field, old_chars, new_chars) -%}
            replace({{ field }}, {{ old_chars }}, {{ new_chars }})
          {%- endmacro %}
          {% macro right(string_text, length_expression) -%}
            {{ return(adapter.dispatch('right', 'dbt')(string_text, length_expression)) }}
          {%- endmacro %}
          {% macro default__right(string_text, length_expression) -%}
            right({{ string_text }}, {{ length_expression }})
          {%- endmacro %}
          {% macro split_part(string_text, delimiter_text, part_number) -%}
            {{ return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) }}
          {%- endmacro %}
          {% macro default__split_part(string_text, delimiter_text, part_number) -%}
            split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
          {%- endmacro %}
          {% macro string_literal(value) -%}
            {{ return(adapter.dispatch('string_literal', 'dbt')(value)) }}
          {%- endmacro %}
          {% macro default__string_literal(value) -%}
            '{{ value }}'
          {%- endmacro %}
          {% macro escape_single_quotes(expression) -%}
            {{ return(adapter.dispatch('escape_single_quotes', 'dbt')(expression)) }}
          {%- endmacro %}
          {% macro default__escape_single_quotes(expression) -%}
            {{ expression | replace("'", "''") }}
          {%- endmacro %}
          {% macro cast_bool_to_text(field) -%}
            {{ return(adapter.dispatch('cast_bool_to_text', 'dbt')(field)) }}
          {%- endmacro %}
          {% macro default__cast_bool_to_text(field) -%}
            cast({{ field }} as {{ dbt.type_string() }})
          {%- endmacro %}
          {% macro any_value(expression) -%}
            {{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}
          {%- endmacro %}
          {% macro default__any_value(expression) -%}
            any_value({{ expression }})
          {%- endmacro %}
          {% macro bool_or(expression) -%}
            {{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}
          {%- endmacro %}
          {% macro default__bool_or(expression) -%}
            bool_or({{ expression }})
          {%- endmacro %}
          {% macro array_construct(inputs=[], data_type=none) -%}
            {#- dbt's default type is api.Column.translate_type('integer') -#}
            {%- if data_type is none %}{% set data_type = 'integer' %}{% endif -%}
            {{ return(adapter.dispatch('array_construct', 'dbt')(inputs, data_type)) }}
          {%- endmacro %}
          {% macro default__array_construct(inputs, data_type) -%}
            {% if inputs | length > 0 %}array[ {{ inputs | join(' , ') }} ]{% else %}array[]::{{ data_type }}[]{% endif %}
          {%- endmacro %}
          {% macro array_append(array, new_element) -%}
            {{ return(adapter.dispatch('array_append', 'dbt')(array, new_element)) }}
          {%- endmacro %}
          {% macro default__array_append(array, new_element) -%}
            array_append({{ array }}, {{ new_element }})
          {%- endmacro %}
          {% macro array_concat(array_1, array_2) -%}
            {{ return(adapter.dispatch('array_concat', 'dbt')(array_1, array_2)) }}
          {%- endmacro %}
          {% macro default__array_concat(array_1, array_2) -%}
            array_cat({{ array_1 }}, {{ array_2 }})
          {%- endmacro %}
          {% macro listagg(measure, delimiter_text=none, order_by_clause=none, limit_num=none) -%}
            {#- dbt's default is "','": Jinjava splits a signature at every comma -#}
            {%- if delimiter_text is none %}{% set delimiter_text = "','" %}{% endif -%}
            {{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}
          {%- endmacro %}
          {% macro duckdb__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
            {% if limit_num -%}
            list_aggr((array_agg({{ measure }} {{ order_by_clause or '' }}))[1:{{ limit_num }}], 'string_agg', {{ delimiter_text }})
            {%- else -%}
            string_agg({{ measure }}, {{ delimiter_text }} {{ order_by_clause or '' }})
            {%- endif %}
          {%- endmacro %}
          {% macro except() -%}
            {{ return(adapter.dispatch('except', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__except() -%}
            except
          {%- endmacro %}
          {% macro intersect() -%}
            {{ return(adapter.dispatch('intersect', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__intersect() -%}
            intersect
          {%- endmacro %}
          {% macro current_timestamp() -%}
            {{ return(adapter.dispatch('current_timestamp', 'dbt')()) }}
          {%- endmacro %}
          {% macro duckdb__current_timestamp() -%}
            now()
          {%- endmacro %}
          {% macro type_string() -%}
            {{ return(adapter.dispatch('type_string', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__type_string() -%}
            TEXT
          {%- endmacro %}
          {% macro type_timestamp() -%}
            {{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__type_timestamp() -%}
            TIMESTAMP
          {%- endmacro %}
          {% macro type_float() -%}
            {{ return(adapter.dispatch('type_float', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__type_float() -%}
            FLOAT
          {%- endmacro %}
          {% macro type_numeric() -%}
            {{ return(adapter.dispatch('type_numeric', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__type_numeric() -%}
            numeric(28,6)
          {%- endmacro %}
          {% macro type_bigint() -%}
            {{ return(adapter.dispatch('type_bigint', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__type_bigint() -%}
            bigint
          {%- endmacro %}
          {% macro type_int() -%}
            {{ return(adapter.dispatch('type_int', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__type_int() -%}
            INT
          {%- endmacro %}
          {% macro type_boolean() -%}
            {{ return(adapter.dispatch('type_boolean', 'dbt')()) }}
          {%- endmacro %}
          {% macro default__type_boolean() -%}
            BOOLEAN
          {%- endmacro %}
          {% macro should_store_failures() -%}
            {{ return(flags.STORE_FAILURES) }}
          {%- endmacro %}
          """,
          DbtMacros.DBT_PACKAGE);

  /**
   * dbt-core's {@code statement} macro: in dbt's execution phase, runs its call block's SQL ({@code
   * adapter.execute}) and stores the result for {@code load_result(name)}.
   */
  static final DbtMacros.MacroFile STATEMENT =
      new DbtMacros.MacroFile(
          "dbt's statement macro",
          """
          {% macro statement(name=none, fetch_result=false, auto_begin=true, language='sql') -%}
            {%- if execute -%}
              {%- set result = adapter.execute(caller(), auto_begin=auto_begin, fetch=fetch_result) -%}
              {%- if name is not none -%}
                {{ store_result(name, response=result[0], agate_table=result[1]) }}
              {%- endif -%}
            {%- endif -%}
          {%- endmacro %}
          """,
          DbtMacros.DBT_PACKAGE);

  /** The files, in the order they are defined. */
  static final List<DbtMacros.MacroFile> FILES =
      List.of(DbtNames.BUILT_IN, CROSS_DATABASE, STATEMENT);

  private DbtBuiltInMacros() {}
}
