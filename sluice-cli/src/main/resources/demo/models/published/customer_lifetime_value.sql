-- One row per customer: what they ordered over their lifetime, and a value segment.
with per_customer as (
    select
        customer_id,
        count(*) as orders,
        count(*) filter (where status = 'returned') as returned_orders,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        coalesce(sum(net_amount) filter (where status <> 'returned'), 0) as lifetime_value
    from {{ ref('order_facts') }}
    group by customer_id
)

select
    c.customer_id,
    c.customer_name,
    c.country_code,
    c.signup_date,
    coalesce(o.orders, 0) as orders,
    coalesce(o.returned_orders, 0) as returned_orders,
    o.first_order_at,
    o.last_order_at,
    coalesce(o.lifetime_value, 0) as lifetime_value,
    -- to four places before rounding: DuckDB divides decimals as doubles, Spark exactly
    cast(round(coalesce(
        cast(o.lifetime_value / nullif(o.orders - o.returned_orders, 0) as decimal(18, 4)), 0), 2)
        as decimal(18, 2)) as average_order_value,
    case
        when coalesce(o.lifetime_value, 0) >= 10000 then 'vip'
        when coalesce(o.lifetime_value, 0) >= 1000 then 'regular'
        when coalesce(o.orders, 0) > 0 then 'occasional'
        else 'prospect'
    end as segment,
    '{{ var('currency') }}' as currency
from {{ ref('customers') }} as c
left join per_customer as o
    on o.customer_id = c.customer_id
