# Models arrive with this app's feature issue.
