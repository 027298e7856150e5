# "b.auto.tfvars" sorts before "b.auto.tfvars.json", so the JSON file wins where both set a value.
auto_b = "b.auto.tfvars"
