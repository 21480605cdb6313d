# Providers of the photoeditor control plane (ADR 0008: Terraform is authoritative for production; the
# SST stages of local development compose the same modules). One workspace per stage: dev, staging, prod.

terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.6"
    }
  }
}

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]

  # Mandatory cost tags (standards/cross-cutting.md line 11) on every taggable resource, merged by the
  # provider into each resource's tags_all.
  default_tags {
    tags = {
      Project    = var.project
      Env        = var.stage
      Owner      = var.owner
      CostCenter = var.cost_center
    }
  }
}
