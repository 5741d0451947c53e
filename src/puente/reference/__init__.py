"""Reference data shipped as versioned files: code lists such as the UNHCR specific
needs codes, with their labels in the five languages of Puente."""
