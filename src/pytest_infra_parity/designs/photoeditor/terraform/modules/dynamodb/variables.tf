variable "table_name" {
  type = string
}

variable "hash_key" {
  type = string
}

variable "range_key" {
  type    = string
  default = null
}

variable "attributes" {
  description = "Key attributes (name, type S/N/B)."
  type        = list(object({ name = string, type = string }))
}

variable "billing_mode" {
  type    = string
  default = "PAY_PER_REQUEST"
}

variable "kms_key_arn" {
  description = "Customer-managed key of the table's encryption at rest."
  type        = string
}

variable "point_in_time_recovery" {
  type    = bool
  default = true
}

variable "ttl_attribute" {
  description = "Attribute holding the expiry epoch; null disables TTL."
  type        = string
  default     = "expiresAt"
}

variable "stream_view_type" {
  description = "NEW_AND_OLD_IMAGES, NEW_IMAGE, OLD_IMAGE or KEYS_ONLY; null: no stream."
  type        = string
  default     = null
}
