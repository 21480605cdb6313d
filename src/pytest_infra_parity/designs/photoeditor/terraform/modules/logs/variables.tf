variable "log_groups" {
  description = "Log groups by short name (the function's name in the stage: presign -> /aws/lambda/<prefix>-presign)."
  type        = map(string)
}

variable "retention_in_days" {
  type    = number
  default = 14
}

variable "kms_key_arn" {
  type = string
}
