{{ config(materialized='incremental', unique_key='order_id') }}
-- One row per order with its amounts and how it was paid. Incremental: a run adds the orders
-- placed after the newest one already in the table (a --full-refresh rebuilds it all).
with lines as (
    select
        order_id,
        count(*) as line_count,
        cast(sum(quantity) as bigint) as item_count,
        sum(quantity * unit_price) as gross_amount,
        sum(line_amount) as net_amount
    from {{ ref('order_lines') }}
    group by order_id
),

payments as (
    select
        order_id,
        count(*) as payment_count,
        sum(amount) as paid_amount,
        min(paid_at) as paid_at,
        max_by(method, amount) as payment_method
    from {{ source('shop', 'payments') }}
    group by order_id
)

select
    o.order_id,
    o.customer_id,
    c.country_code,
    o.ordered_at,
    o.order_date,
    o.status,
    coalesce(l.line_count, 0) as line_count,
    coalesce(l.item_count, 0) as item_count,
    cast(round(coalesce(l.gross_amount, 0), 2) as decimal(18, 2)) as gross_amount,
    cast(round(coalesce(l.gross_amount, 0), 2) - round(coalesce(l.net_amount, 0), 2)
        as decimal(18, 2)) as discount_amount,
    cast(round(coalesce(l.net_amount, 0), 2) as decimal(18, 2)) as net_amount,
    coalesce(p.payment_count, 0) as payment_count,
    cast(coalesce(p.paid_amount, 0) as decimal(18, 2)) as paid_amount,
    p.paid_at,
    p.payment_method,
    p.order_id is not null as is_paid,
    '{{ var('currency') }}' as currency
from {{ ref('orders') }} as o
left join lines as l
    on l.order_id = o.order_id
left join payments as p
    on p.order_id = o.order_id
left join {{ ref('customers') }} as c
    on c.customer_id = o.customer_id
{% if is_incremental() %}
where o.ordered_at > (select max(ordered_at) from {{ this }})
{% endif %}
