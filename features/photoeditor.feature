Feature: PhotoEditor, SST parity with Terraform modules (seed 001)
  The "photoeditor" design is brought up on the target and checked against its success criteria.

  Scenario: Every resource of the template exists
    Given the "photoeditor" design is deployed
    Then every resource of the template exists
