-- Revenue per customer country, with the country's share of the total.
with per_country as (
    select
        country_code,
        count(distinct customer_id) as customers,
        count(*) as orders,
        coalesce(sum(net_amount) filter (where status <> 'returned'), 0) as net_revenue
    from {{ ref('order_facts') }}
    group by country_code
)

select
    r.country_code,
    k.name as country_name,
    k.region,
    r.customers,
    r.orders,
    r.net_revenue,
    cast(round(cast(100 * r.net_revenue / sum(r.net_revenue) over () as decimal(18, 4)), 2)
        as decimal(5, 2)) as revenue_share_pct,
    '{{ var('currency') }}' as currency
from per_country as r
left join {{ ref('countries') }} as k
    on k.code = r.country_code
