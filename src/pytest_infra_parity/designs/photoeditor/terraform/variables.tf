variable "project" {
  description = "Project name, first part of every resource name (<project>-<stage>-<thing>)."
  type        = string
  default     = "photoeditor"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2 to 21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "stage" {
  description = "Stage; maps 1:1 to the Terraform workspace and to the SST stage of the same name."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.stage)
    error_message = "stage must be dev, staging or prod."
  }
}

variable "owner" {
  description = "Value of the mandatory Owner tag."
  type        = string
  default     = "photoeditor-platform"
}

variable "cost_center" {
  description = "Value of the mandatory CostCenter tag."
  type        = string
  default     = "photoeditor"
}

variable "region" {
  description = "AWS Region of the stage."
  type        = string
  default     = "us-east-1"
}

variable "account_id" {
  description = "AWS account of the stage: part of the bucket names, and the only account the provider accepts."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "log_retention_days" {
  description = "Retention of every Lambda log group."
  type        = number
  default     = 14

  validation {
    condition     = contains([7, 14, 30, 90], var.log_retention_days)
    error_message = "log_retention_days must be 7, 14, 30 or 90."
  }
}
