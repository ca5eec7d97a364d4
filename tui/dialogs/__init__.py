"""Modal dialogs (`ModalScreen[T]` + `dismiss`) shared by every screen."""
