variable "s" {
  type    = string
  default = "d"
}

variable "n" {
  type    = number
  default = 0
}

variable "b" {
  type    = bool
  default = false
}

# No type: text from -var and TF_VAR_ is taken as it is, like a string.
variable "untyped" {
  default = null
}

# "any" is not a primitive type: text is parsed as an HCL expression.
variable "anything" {
  type    = any
  default = null
}

variable "l" {
  type    = list(string)
  default = []
}

variable "m" {
  type    = map(number)
  default = {}
}

variable "st" {
  type    = set(string)
  default = []
}

variable "t" {
  type    = tuple([string, number])
  default = ["a", 1]
}

variable "o" {
  type = object({
    name  = string
    port  = optional(number, 80)
    tags  = optional(list(string), [])
    owner = optional(string)
  })
  default = { name = "default" }
}

variable "services" {
  type = list(object({
    name    = string
    replicas = optional(number, 1)
  }))
  default = []
}

variable "secret" {
  type      = string
  sensitive = true
  default   = "hidden"
}
