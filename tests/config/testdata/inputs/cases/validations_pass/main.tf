variable "port" {
  type = number
  validation {
    condition     = var.port > 1024
    error_message = "The port must be above 1024."
  }
}

variable "min" {
  type    = number
  default = 10
}

variable "max" {
  type = number
  validation {
    condition     = var.max >= var.min
    error_message = "max must be at least min."
  }
}

locals {
  allowed = ["dev", "prod"]
}

variable "env" {
  type = string
  validation {
    condition     = contains(local.allowed, var.env)
    error_message = "env must be one of ${join(", ", local.allowed)}."
  }
}
