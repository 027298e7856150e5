variable "port" {
  type = number
  validation {
    condition     = var.port > 1024
    error_message = "  The port must be above 1024.  "
  }
}

variable "min" {
  type    = number
  default = 10
}

# Terraform 1.9 and later: a condition may refer to other variables...
variable "max" {
  type = number
  validation {
    condition     = var.max >= var.min
    error_message = "max (${var.max}) must be at least min (${var.min})."
  }
}

locals {
  allowed = ["dev", "prod"]
  broken  = no_such_function()
}

# ...and to locals.
variable "env" {
  type = string
  validation {
    condition     = contains(local.allowed, var.env)
    error_message = "env must be one of ${join(", ", local.allowed)}."
  }
}

# A broken local is reported where locals are evaluated, not again here.
variable "uses_broken" {
  default = "x"
  validation {
    condition     = local.broken == var.uses_broken
    error_message = "Never shown."
  }
}

resource "terraform_data" "x" {}

# Resources are unknown before planning: the condition is unknown, so it is skipped.
variable "after_apply" {
  default = "x"
  validation {
    condition     = terraform_data.x.id == var.after_apply
    error_message = "Never shown."
  }
}

variable "null_condition" {
  default = "x"
  validation {
    condition     = null
    error_message = "Never shown."
  }
}

variable "not_bool" {
  default = "x"
  validation {
    condition     = "yes"
    error_message = "Never shown."
  }
}

variable "token" {
  type      = string
  sensitive = true
  validation {
    condition     = length(var.token) >= 8
    error_message = "The token ${var.token} is too short."
  }
}

variable "bad_expr" {
  type    = map(number)
  default = { a = 1 }
  validation {
    condition     = var.bad_expr.b > 0
    error_message = "Never shown."
  }
}

variable "null_message" {
  default = 1
  validation {
    condition     = false
    error_message = null
  }
}

variable "passes" {
  type    = list(string)
  default = ["a"]
  validation {
    condition     = length(var.passes) == 1
    error_message = "Never shown."
  }
  validation {
    condition     = alltrue([for s in var.passes : length(s) == 1])
    error_message = "Never shown."
  }
}
