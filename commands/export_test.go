package commands

import "github.com/google/uuid"

// GuessTaxCode makes s remember code as productID's tax code, as if an earlier sale had read
// the product with it (see taxCodeIDs.codeOf).
func (s *Sales) GuessTaxCode(productID uuid.UUID, code string) { s.taxCodes.putCodeOf(productID, code) }
