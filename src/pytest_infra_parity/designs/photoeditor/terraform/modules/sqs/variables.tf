variable "name" {
  description = "Queue name; the dead-letter queue is <name>-dlq."
  type        = string
}

variable "kms_key_arn" {
  type = string
}

variable "kms_data_key_reuse_period_seconds" {
  type    = number
  default = 300
}

variable "visibility_timeout_seconds" {
  description = "At least six times the consumer's timeout."
  type        = number
  default     = 30
}

variable "message_retention_seconds" {
  type    = number
  default = 345600
}

variable "dlq_message_retention_seconds" {
  type    = number
  default = 1209600
}

variable "max_receive_count" {
  description = "Receives before a message moves to the dead-letter queue (standards/cross-cutting.md line 25)."
  type        = number
  default     = 3
}

variable "account_id" {
  description = "Account of the buckets allowed to send (aws:SourceAccount)."
  type        = string
}

variable "s3_source_bucket_arns" {
  description = "Buckets whose event notifications may send to the queue."
  type        = list(string)
  default     = []
}
