// Package catalog serves the master data of the chain over HTTP: stores and their registers,
// tax codes and products. Commands go through package commands (codes, SKUs and barcodes are
// unique on the write side), whose deciders judge every field, text limits included; a
// command's answer renders the state the command returned. The single-resource GETs load the
// aggregate from the write side,
// so they are current the moment a command returns. Lists (GET /stores, /tax-codes, /products,
// /stores/{id}/registers) come from read models and are served elsewhere.
package catalog
