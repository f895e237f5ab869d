{# Macros written like dbt_utils' (get_column_values, star, pivot, union_relations), small. #}
{% macro get_column_values(table, column, order_by='count(*) desc', max_records=none, default=none) -%}
  {#-- dbt's parse: no query, the default --#}
  {%- if not execute -%}
    {%- set default = [] if default is none else default -%}
    {{ return(default) }}
  {%- endif -%}
  {%- set target_relation = adapter.get_relation(database=table.database, schema=table.schema, identifier=table.identifier) -%}
  {%- if target_relation is none -%}
    {{ return([] if default is none else default) }}
  {%- endif -%}
  {%- call statement('get_column_values', fetch_result=true) %}
    select {{ column }} as value
    from {{ target_relation }}
    group by {{ column }}
    order by {{ order_by }}
    {% if max_records is not none %}limit {{ max_records }}{% endif %}
  {%- endcall -%}
  {%- set value_list = load_result('get_column_values') -%}
  {%- set values = value_list['data'] | map(attribute=0) | list -%}
  {{ return(values) }}
{%- endmacro %}

{% macro star(from, except=[], prefix='', suffix='') -%}
  {%- if not execute -%}
    {{ return('*') }}
  {%- endif -%}
  {%- set excluded = except | map('lower') | list -%}
  {%- set columns = [] -%}
  {%- for column in adapter.get_columns_in_relation(from) -%}
    {%- if column.column | lower not in excluded -%}
      {%- do columns.append(column.quoted ~ (' as ' ~ adapter.quote(prefix ~ column.column ~ suffix) if prefix or suffix else '')) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(columns | join(', ')) }}
{%- endmacro %}

{% macro pivot(column, values, alias=true, agg='sum', prefix='', suffix='', then_value=1, else_value=0) -%}
  {%- for value in values -%}
    {{ agg }}(case when {{ column }} = '{{ value }}' then {{ then_value }} else {{ else_value }} end)
    {%- if alias %} as {{ adapter.quote(prefix ~ value ~ suffix) }}{% endif -%}
    {%- if not loop.last %},{% endif %}
  {% endfor -%}
{%- endmacro %}

{% macro union_relations(relations, source_column_name='_dbt_source_relation') -%}
  {#-- Jinjava reads a dict literal's keys as names, not values: columns kept in lists --#}
  {%- set relation_columns = [] -%}
  {%- set ordered = [] -%}
  {%- set superset = [] -%}
  {%- for relation in relations -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
      {%- if column.column not in ordered -%}
        {%- do ordered.append(column.column) -%}
        {%- do superset.append(column) -%}
      {%- endif -%}
      {%- do names.append(column.column) -%}
    {%- endfor -%}
    {%- do relation_columns.append(names) -%}
  {%- endfor -%}
  {%- if not execute or ordered | length == 0 -%}
    {{ return('select null as ' ~ source_column_name) }}
  {%- endif -%}
  {%- for relation in relations %}
    {%- set names = relation_columns[loop.index0] %}
    select
      cast('{{ relation }}' as {{ dbt.type_string() }}) as {{ source_column_name }},
      {% for column in superset -%}
        cast({{ adapter.quote(column.column) if column.column in names else 'null' }} as {{ column.data_type }}) as {{ column.quoted }}{% if not loop.last %},{% endif %}
      {% endfor %}
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
  {%- endfor -%}
{%- endmacro %}

{% macro row_count(relation) -%}
  {%- set result = run_query('select count(*) as n from ' ~ relation) -%}
  {%- if execute -%}
    {{ return(result.columns[0].values()[0]) }}
  {%- endif -%}
  {{ return(0) }}
{%- endmacro %}
