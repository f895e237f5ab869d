-- One row per product: units sold and returned, revenue, and its rank within its category.
with sales as (
    select
        l.product_id,
        count(distinct l.order_id) as orders,
        cast(sum(l.quantity) filter (where o.status <> 'returned') as bigint) as units_sold,
        cast(sum(l.quantity) filter (where o.status = 'returned') as bigint) as units_returned,
        sum(l.line_amount) filter (where o.status <> 'returned') as net_revenue
    from {{ ref('order_lines') }} as l
    join {{ ref('orders') }} as o
        on o.order_id = l.order_id
    group by l.product_id
)

select
    p.product_id,
    p.product_name,
    p.category,
    p.list_price,
    coalesce(s.orders, 0) as orders,
    coalesce(s.units_sold, 0) as units_sold,
    coalesce(s.units_returned, 0) as units_returned,
    cast(coalesce(s.units_returned / nullif(s.units_sold + s.units_returned, 0), 0)
        as decimal(5, 4)) as return_rate,
    cast(round(coalesce(s.net_revenue, 0), 2) as decimal(18, 2)) as net_revenue,
    cast(rank() over (partition by p.category order by coalesce(s.net_revenue, 0) desc) as bigint)
        as rank_in_category,
    '{{ var('currency') }}' as currency
from {{ ref('products') }} as p
left join sales as s
    on s.product_id = p.product_id
