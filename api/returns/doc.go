// Package returns serves the /returns routes: recording a return with or without the receipt
// (POST /returns) and reading one back from the write side (GET /returns/{id}). The managers'
// approvals a return needs (return.no_receipt, return.over_limit, or both) go through
// cmdhttp.Approved, like a sale's: tokens are spent only for the actions the return needs.
package returns
