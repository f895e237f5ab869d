-- One row per order line, with its order's day, its product's category and its amount after
-- discount. Left joins keep orphan lines, for the relationships checks to find.
select
    l.order_line_id,
    l.order_id,
    l.product_id,
    o.order_date,
    p.category,
    l.quantity,
    l.unit_price,
    l.discount,
    cast(l.quantity * l.unit_price * (1 - l.discount) as decimal(18, 4)) as line_amount
from {{ source('shop', 'order_lines') }} as l
left join {{ ref('orders') }} as o
    on o.order_id = l.order_id
left join {{ ref('products') }} as p
    on p.product_id = l.product_id
