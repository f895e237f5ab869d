-- One row per customer, with the name and region of their country from the countries seed.
-- A left join keeps customers of unknown countries, for the relationships check to find.
select
    c.customer_id,
    trim(c.name) as customer_name,
    lower(trim(c.email)) as email,
    upper(trim(c.country)) as country_code,
    k.name as country_name,
    k.region,
    c.signup_date
from {{ source('shop', 'customers') }} as c
left join {{ ref('countries') }} as k
    on k.code = upper(trim(c.country))
