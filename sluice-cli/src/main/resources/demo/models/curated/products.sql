{{ config(materialized='view') }}
-- The product catalogue as a view: always the latest load of the raw table.
select
    product_id,
    trim(name) as product_name,
    lower(category) as category,
    cast(unit_price as decimal(10, 2)) as list_price
from {{ source('shop', 'products') }}
