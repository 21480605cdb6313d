variable "prefix" {
  description = "<project>-<stage>, first part of the alarm names."
  type        = string
}

variable "function_names" {
  description = "Functions watched for Errors, by short name."
  type        = map(string)
}

variable "api_id" {
  description = "HTTP API watched for 5xx."
  type        = string
}

variable "dlq_name" {
  description = "Dead-letter queue watched for inflow (ApproximateNumberOfMessagesVisible)."
  type        = string
}

variable "alarm_topic_arn" {
  description = "Topic notified on ALARM and OK."
  type        = string
}

variable "period" {
  type    = number
  default = 300
}
