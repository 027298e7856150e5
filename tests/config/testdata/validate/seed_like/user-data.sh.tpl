#!/bin/bash
echo ${sha}
