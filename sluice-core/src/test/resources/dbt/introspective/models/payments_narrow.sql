select {{ fixture_utils.star(from=ref('raw_payments'), except=['method', 'AMOUNT'], prefix='p_') }},
  {{ fixture_utils.row_count(ref('raw_payments')) }} as payments_in_total
from {{ ref('raw_payments') }}
