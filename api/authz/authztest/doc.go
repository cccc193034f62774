// Package authztest checks a router against the role → permission table: [Matrix.Check]
// sends a request to every registered route as an anonymous caller and as a caller of each
// role, and asserts that exactly the table's grants get through. The api package runs it over
// all routes; authz and auth run it over the routes they register.
package authztest
