// Package returns serves the /returns routes: recording a return with or without the receipt
// (POST /returns) and reading one back from the write side (GET /returns/{id}).
package returns
