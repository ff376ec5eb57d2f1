namespace liaison::channels {}
