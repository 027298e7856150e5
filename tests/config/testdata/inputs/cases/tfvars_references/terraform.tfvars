a = var.b
b = upper("x")
c = "${local.x}-${path.module}"
# A for expression's own symbols are not references: this one is fine.
d = [for x in [1, 2] : x * 2]
e = { (k) = 1 }
