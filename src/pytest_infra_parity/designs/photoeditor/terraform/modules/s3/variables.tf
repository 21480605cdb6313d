variable "bucket_name" {
  description = "Bucket name (<project>-<stage>-<thing>-<account id>)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key of the default SSE-KMS encryption."
  type        = string
}

variable "versioning" {
  description = "Keep object versions."
  type        = bool
  default     = false
}

variable "lifecycle_rules" {
  description = "Lifecycle rules; each sets an expiration and/or a transition, and noncurrent version expiry."
  type = list(object({
    id                         = string
    expiration_days            = optional(number)
    transition_days            = optional(number)
    transition_storage_class   = optional(string, "STANDARD_IA")
    noncurrent_expiration_days = optional(number)
    abort_incomplete_days      = optional(number, 7)
  }))
  default = []
}

variable "cors_rules" {
  description = "CORS rules (browser uploads with presigned URLs)."
  type = list(object({
    allowed_methods = list(string)
    allowed_origins = list(string)
    allowed_headers = optional(list(string), [])
    max_age_seconds = optional(number)
  }))
  default = []
}

variable "queue_notifications" {
  description = "SQS queues notified of object events."
  type = list(object({
    queue_arn     = string
    events        = list(string)
    filter_prefix = optional(string)
  }))
  default = []
}

variable "force_destroy" {
  description = "Delete the objects with the bucket (never in prod)."
  type        = bool
  default     = false
}
