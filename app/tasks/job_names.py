"""Names shared by the API (which enqueues) and the workers (which run): no heavy imports here."""

PAINT_TASK = "paint_task"  # the arq job that paints one task; its job id is the task id
QUEUE_NAME = "saekdam:queue"
FIND_WALL = "find_wall"  # segmentation only, for the create page overlay in distributed mode
WALL_QUEUE = "saekdam:wall"  # its own line: a wall overlay never waits behind paint jobs
