variable "zones" {
  type = list(string)
}

variable "name" {
  type = string
}

variable "count_of" {
  type = number
}

variable "ports" {
  type = list(number)
}

variable "from_env" {
  type = string
}

variable "optional" {
  default = "not asked"
}
