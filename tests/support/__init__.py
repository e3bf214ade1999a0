"""What the tests share: servers on loopback, a world of feeds and folders, hostile inputs."""
