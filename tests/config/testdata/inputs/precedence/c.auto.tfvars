auto_c   = "c.auto.tfvars"
var_file = "c.auto.tfvars"
var      = "c.auto.tfvars"
