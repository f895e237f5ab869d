{%- set methods = fixture_utils.get_column_values(table=ref('raw_payments'), column='method', order_by='method') -%}
select
  order_id,
  {{ fixture_utils.pivot('method', methods, suffix='_count') }}
  , count(*) as payments
from {{ ref('raw_payments') }}
group by order_id
