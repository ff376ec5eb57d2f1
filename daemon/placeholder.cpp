namespace liaison::daemon {}
