-- Revenue per day of ordering. Returned orders count as orders but not as revenue.
select
    order_date,
    count(*) as orders,
    count(*) filter (where status = 'returned') as returned_orders,
    count(distinct customer_id) as customers,
    cast(coalesce(sum(item_count) filter (where status <> 'returned'), 0) as bigint) as items_sold,
    coalesce(sum(gross_amount) filter (where status <> 'returned'), 0) as gross_revenue,
    coalesce(sum(discount_amount) filter (where status <> 'returned'), 0) as discounts,
    coalesce(sum(net_amount) filter (where status <> 'returned'), 0) as net_revenue,
    '{{ var('currency') }}' as currency
from {{ ref('order_facts') }}
group by order_date
order by order_date
