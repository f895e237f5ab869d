-- One row per order. An order exported again in a later file keeps its latest version.
select
    order_id,
    customer_id,
    ordered_at,
    order_date,
    status
from (
    select
        order_id,
        customer_id,
        order_date as ordered_at,
        cast(order_date as date) as order_date,
        lower(trim(status)) as status,
        row_number() over (
            partition by order_id
            order by _loaded_at desc, _source_file desc
        ) as version
    from {{ source('shop', 'orders') }}
) as versions
where version = 1
