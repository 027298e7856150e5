variable "project_name" {
  description = "Prefix of every resource's name."
  type        = string
  default     = "@@NAME@@"
}

variable "region" {
  description = "The AWS region (with GITTERRA_TARGET=aws); the local cloud has one, local-1, and accepts any name."
  type        = string
  default     = "eu-west-3"
}

variable "repository_url" {
  description = "Where instances fetch the site from (the build sets it to the source repository)."
  type        = string
}

variable "git_sha" {
  description = "The commit whose www/ the instances serve (the build sets it to the last commit that changed www/, so a scaling commit does not replace the instances)."
  type        = string
  default     = "main"
}
