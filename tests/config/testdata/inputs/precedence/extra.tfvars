var_file = "extra.tfvars"
var      = "extra.tfvars"
