"""Personal data across domains (PIPA, GDPR): a user's export and the deletion of their account."""
