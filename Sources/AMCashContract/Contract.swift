// The AIR MILES Cash wire contract: `openapi.yaml` beside this file is the one place where the
// API's paths, fields, headers and statuses — and the decisions taken where the partner
// documentation is silent — are written down. swift-openapi-generator turns it into
// `Components.Schemas.*` (the wire types) and `APIProtocol` (the server the simulator implements).
// The client in AMCashAPI encodes and decodes with these types.
