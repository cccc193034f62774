// Package users serves the user administration routes (admin only) and looks users up for
// the auth routes. Users are event-sourced (domain/user); lookups go to the write side (the
// username reservation and the user's stream), so a user can log in the moment it exists and
// a disabled user is refused at once.
package users
