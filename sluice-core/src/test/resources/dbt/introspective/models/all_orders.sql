{{ fixture_utils.union_relations(relations=[ref('orders_eu'), ref('orders_us')]) }}
