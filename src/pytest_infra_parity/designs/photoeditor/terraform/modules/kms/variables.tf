variable "name" {
  description = "Alias of the key (alias/<name>), usually <project>-<stage>."
  type        = string
}

variable "description" {
  description = "Description of the key."
  type        = string
}

variable "account_id" {
  description = "Account whose root administers the key."
  type        = string
}

variable "region" {
  description = "Region of the key (CloudWatch Logs is granted use of it in this Region)."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "deletion_window_in_days" {
  description = "Waiting period before the key is deleted."
  type        = number
  default     = 7
}

variable "service_principals" {
  description = "Services that publish to encrypted queues and topics (S3 notifications, CloudWatch alarms)."
  type        = list(string)
  default     = ["s3.amazonaws.com", "cloudwatch.amazonaws.com"]
}
